import { browser, i18n } from '#imports';
import { render } from 'preact';
import '@/components/styles.css';
import './options.css';
import { App } from './App';

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = i18n.t('options.title');
render(<App />, document.getElementById('app')!);
