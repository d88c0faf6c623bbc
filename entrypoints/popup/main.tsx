import { browser, i18n } from '#imports';
import { render } from 'preact';
import '@/components/styles.css';
import './popup.css';
import { App } from './App';

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = i18n.t('extName');
render(<App search={location.search} />, document.getElementById('app')!);
